// CTIM dispositions (interfaces.md §5). The number orders them: lower wins a tie in the verdict.
export const DISPOSITIONS = { 1: 'Clean', 2: 'Malicious', 3: 'Suspicious', 4: 'Common', 5: 'Unknown' } as const;
export type Disposition = keyof typeof DISPOSITIONS;
export type DispositionName = (typeof DISPOSITIONS)[Disposition];

export function dispositionName(d: Disposition): DispositionName {
  return DISPOSITIONS[d];
}

export function dispositionFromName(name: string): Disposition | null {
  for (const [n, v] of Object.entries(DISPOSITIONS)) if (v.toLowerCase() === name.toLowerCase()) return Number(n) as Disposition;
  return null;
}

export const CONFIDENCES = ['Info', 'Low', 'Medium', 'High', 'None', 'Unknown'] as const;
export type Confidence = (typeof CONFIDENCES)[number];
/** Severity takes the same words as confidence. */
export type Severity = Confidence;
