// SQLite is one node's own: that node always leads.
import type { LeaderLock } from '../types.js';

export const soleLeader: LeaderLock = {
  async tryLead() {
    return true;
  },
};
