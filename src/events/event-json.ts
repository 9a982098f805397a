// An event's JSON text with its raw record given as JSON text already (a sensor's line, or what
// validation wrote), rather than serialized again from the object: the raw record is most of an
// event's bytes, and writing it twice was most of the cost of this step.

/** JSON.stringify(ev) followed by `"raw": rawJson`. `ev` must have no `raw` of its own. */
export function jsonWithRaw(ev: object, rawJson: string): string {
  const head = JSON.stringify(ev);
  // head is an object's text, "{…}": reopen it for one more member.
  return head.length > 2 ? `${head.slice(0, -1)},"raw":${rawJson}}` : `{"raw":${rawJson}}`;
}
