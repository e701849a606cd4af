const UNAVAILABLE = {
  offline: 'photo not on this device and the server is out of reach',
  missing: 'photo not on the server',
  deleted: 'photo deleted on the server',
  signedOut: 'the session ended: the server refuses the photo until the user signs in again',
  refused: 'the server refuses this user the photo',
};

/**
 * Why a full-size photo could not be shown: not reachable now (offline), not on the server yet
 * (missing), or removed there (deleted: it will never come).
 */
export class PhotoUnavailableError extends Error {
  constructor(readonly reason: keyof typeof UNAVAILABLE) {
    super(UNAVAILABLE[reason]);
  }
}

/**
 * What a failed read of a photo from the server means to whoever wanted to see it. A 404's
 * reason says whether the server never had the photo or had it deleted; a refusal is the server
 * answering (the session ended, or not allowed), not the tablet out of reach.
 */
export function photoUnavailable(error: unknown): PhotoUnavailableError {
  if (error instanceof PhotoUnavailableError) return error;
  const { status, reason } = error as { status?: number; reason?: string };
  if (status === 401) return new PhotoUnavailableError('signedOut');
  if (status === 403) return new PhotoUnavailableError('refused');
  if (status !== 404) return new PhotoUnavailableError('offline');
  return new PhotoUnavailableError(reason === 'deleted' ? 'deleted' : 'missing');
}
