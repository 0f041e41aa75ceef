import { ServiceError, type ServiceEvent } from '../../../app/api/types';
import type { CaptureService } from '../../../main/service/service';

/** Resolves with the first event that satisfies `test`. */
export function nextEvent(service: CaptureService, test: (event: ServiceEvent) => boolean): Promise<ServiceEvent> {
  return new Promise((resolve) => {
    const stop = service.subscribe((event) => {
      if (test(event)) {
        stop();
        resolve(event);
      }
    });
  });
}

/** The ServiceError a request fails with (anything else, or success, fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}
