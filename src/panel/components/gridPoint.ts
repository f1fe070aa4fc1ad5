import type { MatrixCell } from '../model/matrix';

/** A cell under the pointer or the keyboard focus; clientX/Y place its tooltip (a portal, fixed position). */
export type Point = { row: number; col: number; cell?: MatrixCell; clientX: number; clientY: number };
