// Each module of the org and how far it got: answering…, done, or failed with its error.
import { stateOf, type ModuleProgress } from './investigateProgress';

const STATE_TEXT = { answering: 'answering…', done: 'done', failed: 'failed' } as const;

export function InvestigateModules({ modules }: { modules: ModuleProgress[] }) {
  const waiting = modules.filter((m) => stateOf(m) === 'answering').length;
  return (
    <section className="inv-modules" aria-labelledby="inv-modules-h">
      <h2 id="inv-modules-h">Modules</h2>
      <p role="status" className="inv-modules-summary">
        {waiting > 0 ? `${modules.length - waiting} of ${modules.length} modules answered` : `All ${modules.length} modules answered`}
      </p>
      <ul aria-label="Module progress">
        {modules.map((m) => {
          const state = stateOf(m);
          return (
            <li key={m.ref.module_instance_id} data-module={m.ref.module} data-state={state}>
              <span className="inv-module-name">{m.ref.module}</span>{' '}
              <span className={`inv-state inv-state-${state}`}>{STATE_TEXT[state]}</span>
              {m.errors.map((e, i) => (
                <span key={i} className="inv-module-error error">{e.verb}: {e.message}</span>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
