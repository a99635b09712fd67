import { Module } from '@nestjs/common';
import { AuthController } from './controllers/auth.controller';
import { KeysAdminController } from './controllers/keys-admin.controller';
import { PlatformsAdminController } from './controllers/platforms-admin.controller';
import { ApiKeyGuard } from './guards/api-key.guard';
import { ApiKeyAuthenticator } from './services/api-key-authenticator.service';
import { PlatformRegistry } from './services/platform-registry.service';

/** The platform registry and API-key authentication, used by every other ingest route. */
@Module({
  controllers: [AuthController, KeysAdminController, PlatformsAdminController],
  providers: [ApiKeyAuthenticator, ApiKeyGuard, PlatformRegistry],
  exports: [ApiKeyAuthenticator, ApiKeyGuard, PlatformRegistry],
})
export class PlatformsModule {}
