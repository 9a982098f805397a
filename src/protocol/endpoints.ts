// The endpoint roles an exchange hands a device at enrollment (interfaces.md §2: api, est,
// mx, eventing); one node serves all of them unless the operator splits them.
export const ENDPOINT_ROLES = ['api', 'est', 'eventing', 'mx'] as const;
export type EndpointRole = (typeof ENDPOINT_ROLES)[number];
export type EndpointMap = Record<EndpointRole, string>;
