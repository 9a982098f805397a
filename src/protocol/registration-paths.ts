// Where a device registers, and where it later speaks of its own registration with its
// certificate as the credential: shared so the connector and the exchange cannot drift apart.
export const REGISTRATION_PATH = '/providers/sse/services/registration/api/v2/clients';
/** GET: the registration as the exchange holds it; PUT: a registration refresh (each
 * registration_interval); DELETE: the device deregisters. */
export const REGISTRATION_SELF_PATH = `${REGISTRATION_PATH}/self`;
