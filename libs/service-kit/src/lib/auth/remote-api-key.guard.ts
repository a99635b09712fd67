import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../config/service-config';
import { SERVICE_CONFIG } from '../infrastructure';

/**
 * Who may call Vigie's APIs. `platform` keys, and `moderator`/`officer` keys bound to a
 * platform, only ever see that platform's data; `moderator`/`officer` keys without a
 * platform belong to the operator's own team.
 */
export const CALLER_ROLES = ['admin', 'platform', 'moderator', 'officer', 'trusted-flagger', 'authority', 'regulator'] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

export interface Caller {
  keyId: string;
  role: CallerRole;
  /** The only platform this caller may act for; null for operator-wide roles. */
  platformId: string | null;
  /** Pseudonymous id recorded on what the caller does (moderator id, trusted-flagger registration, authority). */
  principalId: string | null;
}

export type AuthenticatedRequest = FastifyRequest & { caller: Caller };
/** On routes marked `@AllowAnonymous()`, `caller` is null when no key was presented. */
export type MaybeAuthenticatedRequest = FastifyRequest & { caller: Caller | null };

const ROLES = 'vigie:caller-roles';
const ANONYMOUS = 'vigie:allow-anonymous';
const cacheTtlMs = 5000;
/** Entries per cache (known keys, unknown keys). */
const CACHED_KEYS = 10_000;

/** Roles allowed on a route (default: admin). Platform keys are limited to their own `:platformId`. */
export const AllowCallers = (...roles: CallerRole[]) => SetMetadata(ROLES, roles);

/** The route also serves callers without a key (e.g. public DSA notices); a key, if sent, must be valid. */
export const AllowAnonymous = () => SetMetadata(ANONYMOUS, true);

/**
 * Authenticates API keys against the platform registry held by ingest (`GET /auth/whoami`),
 * so keys exist in one place only. Answers are cached a few seconds per key hash.
 */
@Injectable()
export class RemoteApiKeyGuard implements CanActivate {
  /**
   * Known keys and unknown ones are cached apart, each bounded by clearing it when full: a
   * stream of made-up keys then only ever clears the cache of unknown ones, and the keys in
   * use stay cached.
   */
  private readonly known = new Map<string, { caller: Caller; expiresAt: number }>();
  private readonly unknown = new Map<string, { caller: null; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<Caller | null>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['authorization'];
    const key =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? header.slice(7).trim()
        : typeof request.headers['x-api-key'] === 'string'
          ? request.headers['x-api-key'].trim()
          : undefined;
    if (!key && this.reflector.getAllAndOverride<boolean>(ANONYMOUS, [context.getHandler(), context.getClass()])) {
      (request as MaybeAuthenticatedRequest).caller = null;
      return true;
    }
    if (!key) {
      throw new UnauthorizedException({
        statusCode: 401,
        code: 'MISSING_API_KEY',
        message: 'an API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>"',
      });
    }
    const caller = key.length <= 512 ? await this.lookup(key) : null;
    if (!caller) throw new UnauthorizedException({ statusCode: 401, code: 'INVALID_API_KEY', message: 'the API key is unknown or revoked' });
    const roles = this.reflector.getAllAndOverride<CallerRole[]>(ROLES, [context.getHandler(), context.getClass()]) ?? ['admin'];
    if (!roles.includes(caller.role)) {
      throw new ForbiddenException({ statusCode: 403, code: 'ROLE_NOT_ALLOWED', message: `this operation needs one of the roles: ${roles.join(', ')}` });
    }
    const platformId = (request.params as Record<string, string> | undefined)?.platformId;
    if (caller.platformId !== null && platformId !== undefined && platformId !== caller.platformId) {
      throw new ForbiddenException({ statusCode: 403, code: 'OTHER_PLATFORM', message: `this key belongs to another platform than "${platformId}"` });
    }
    request.caller = caller;
    return true;
  }

  private async lookup(key: string): Promise<Caller | null> {
    const cacheKey = createHash('sha256').update(key).digest('base64');
    const cached = this.known.get(cacheKey) ?? this.unknown.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.caller;
    // Concurrent requests with the same key share one question to the registry.
    const inFlight = this.inFlight.get(cacheKey);
    if (inFlight) return inFlight;
    const asked = this.ask(key, cacheKey).finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, asked);
    return asked;
  }

  private async ask(key: string, cacheKey: string): Promise<Caller | null> {
    let response: Response;
    try {
      response = await fetch(`${this.config.authUrl}/auth/whoami`, {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(3000),
      });
    } catch (error) {
      throw new ServiceUnavailableException({
        statusCode: 503,
        code: 'AUTH_UNAVAILABLE',
        message: `cannot verify the API key: the platform registry at ${this.config.authUrl} does not answer (${(error as Error).message})`,
      });
    }
    let caller: Caller | null = null;
    if (response.ok) {
      const answer = (await response.json()) as Caller;
      caller = { ...answer, principalId: answer.principalId ?? null };
    }
    else if (response.status !== 401) {
      throw new ServiceUnavailableException({ statusCode: 503, code: 'AUTH_UNAVAILABLE', message: `the platform registry answered ${response.status}` });
    }
    const expiresAt = Date.now() + cacheTtlMs;
    if (caller) {
      if (this.known.size >= CACHED_KEYS) this.known.clear();
      this.unknown.delete(cacheKey);
      this.known.set(cacheKey, { caller, expiresAt });
    } else {
      if (this.unknown.size >= CACHED_KEYS) this.unknown.clear();
      this.known.delete(cacheKey);
      this.unknown.set(cacheKey, { caller, expiresAt });
    }
    return caller;
  }
}
