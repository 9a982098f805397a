// Every network wait of the doctor is bounded: a black-holed network must not hang it.

/** `p`, or an ETIMEDOUT error after `ms`; `onTimeout` tears down whatever `p` was waiting on. */
export function within<T>(p: Promise<T>, ms: number, onTimeout: () => void = () => {}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
    }, ms);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}
