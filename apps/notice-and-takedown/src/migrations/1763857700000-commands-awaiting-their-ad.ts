import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A command whose ad never reached this service has no address to verify. It stayed due, at the
 * front of the verification index (its due time only gets older), and every verification round,
 * several a second, read it and looked its ad up again before reaching the commands it could
 * verify: for a platform that sends notices but not its ad stream, every command it ever got.
 * Such a command is now set aside (`awaiting_ad`), out of the verification index, and taken
 * back when its ad arrives.
 */
export class CommandsAwaitingTheirAd1763857700000 implements MigrationInterface {
  name = 'CommandsAwaitingTheirAd1763857700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE notice_and_takedown.takedown_commands ADD COLUMN awaiting_ad boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`DROP INDEX notice_and_takedown.takedown_commands_verify_idx`);
    await queryRunner.query(`
      CREATE INDEX takedown_commands_verify_idx ON notice_and_takedown.takedown_commands (next_verification_at)
        WHERE verified_at IS NULL AND next_verification_at IS NOT NULL AND NOT awaiting_ad`);
    await queryRunner.query(`
      CREATE INDEX takedown_commands_awaiting_ad_idx ON notice_and_takedown.takedown_commands (platform_id, ad_id)
        WHERE awaiting_ad`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX notice_and_takedown.takedown_commands_awaiting_ad_idx`);
    await queryRunner.query(`DROP INDEX notice_and_takedown.takedown_commands_verify_idx`);
    await queryRunner.query(`
      CREATE INDEX takedown_commands_verify_idx ON notice_and_takedown.takedown_commands (next_verification_at)
        WHERE verified_at IS NULL AND next_verification_at IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE notice_and_takedown.takedown_commands DROP COLUMN awaiting_ad`);
  }
}
