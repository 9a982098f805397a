// Prints why the PostgreSQL/NATS test pass cannot run here, or nothing when it can.
import { pgUnavailable, natsUnavailable } from '../test/helpers/pg.js';

const why = (await pgUnavailable()) ?? (await natsUnavailable());
if (why) process.stdout.write(why);
