// The CTIA entity store (incidents, casebooks, sightings, judgements, …). Filled in by the CTIA work.
export interface CtiaStore {
  readonly kind: "ctia";
}
