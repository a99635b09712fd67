import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { PlatformException, PlatformExceptionCode } from '../exceptions/platform.exception';
import { ApiKeyAuthenticator, type Principal, type Role } from '../services/api-key-authenticator.service';

const ROLES = 'vigie:roles';

/** Roles allowed on a route. Platform keys are further limited to their own `:platformId`. */
export const AllowRoles = (...roles: Role[]) => SetMetadata(ROLES, roles);

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['authorization'];
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/**
 * Every route of ingest except the operations endpoints goes through this guard: a valid,
 * unrevoked key with an allowed role, and for platform keys the platform in the path must be
 * their own.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = presentedKey(request);
    if (!key) {
      throw new PlatformException(
        PlatformExceptionCode.MISSING_API_KEY,
        'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"',
      );
    }
    const principal = key.length <= 512 ? await this.authenticator.authenticate(key) : null;
    if (!principal) throw new PlatformException(PlatformExceptionCode.INVALID_API_KEY, 'the API key is unknown or revoked');
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES, [context.getHandler(), context.getClass()]) ?? ['admin'];
    if (!roles.includes(principal.role)) {
      throw new PlatformException(PlatformExceptionCode.ROLE_NOT_ALLOWED, `this operation needs one of the roles: ${roles.join(', ')}`);
    }
    const platformId = (request.params as Record<string, string> | undefined)?.platformId;
    if (principal.platformId !== null && platformId !== undefined && platformId !== principal.platformId) {
      throw new PlatformException(PlatformExceptionCode.OTHER_PLATFORM, `this key belongs to another platform than "${platformId}"`);
    }
    request.principal = principal;
    return true;
  }
}
