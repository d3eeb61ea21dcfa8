/** Typed errors thrown by core; the HTTP layer maps them to status codes in one place. */
export class CoreError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends CoreError {
  constructor(message: string, details?: unknown) {
    super(message, 'not_found', details);
  }
}

export class Conflict extends CoreError {
  constructor(message: string, details?: unknown) {
    super(message, 'conflict', details);
  }
}

export class Invalid extends CoreError {
  constructor(message: string, details?: unknown) {
    super(message, 'invalid', details);
  }
}

export class Forbidden extends CoreError {
  constructor(message: string, details?: unknown) {
    super(message, 'forbidden', details);
  }
}

/** True for a unique-constraint violation from either driver (drizzle wraps the cause). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const candidate = e as { code?: unknown; constraint_name?: unknown; constraint?: unknown; message?: unknown };
    if (candidate.code === '23505') {
      if (!constraint) return true;
      const name = candidate.constraint_name ?? candidate.constraint;
      return name === constraint || String(candidate.message ?? '').includes(constraint);
    }
  }
  return false;
}
