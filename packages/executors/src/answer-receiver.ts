/**
 * The main thread's side of a worker's answer ring: takes every published record in order, copies its message out
 * (the ring's room is given back before the message is delivered), and hands it on.
 */
import { AnswerDecoder } from './answer-codec.js';
import { AnswerKind, answerRecordHeaderBytes } from './answer-record.js';
import { AnswerRingReader } from './answer-ring.js';

/** Where a drained record goes. */
export interface AnswerTarget {
  unitMessage(unitId: number, message: unknown, bytes: number): void;
  unitDone(unitId: number): void;
  /** The next unit message on the port belongs here: take it now; false when it has not arrived yet. */
  takePosted(): boolean;
}

export class AnswerReceiver {
  private readonly ring: AnswerRingReader;
  private readonly decoder: AnswerDecoder;
  private draining = false;

  constructor(buffer: SharedArrayBuffer) {
    this.ring = new AnswerRingReader(buffer);
    this.decoder = new AnswerDecoder(this.ring.bytes);
  }

  /** Whether published records wait. */
  get pending(): boolean {
    return this.ring.pending;
  }

  /**
   * Delivers every published record. `settle`: the wake-up that asked for it is over, so the worker must wake the
   * main thread for its next record — drains again when one came in meanwhile. Re-entry (a delivery that causes a
   * drain) returns at once: the outer loop takes what came.
   */
  drain(target: AnswerTarget, settle: boolean): void {
    if (this.draining) return;
    this.draining = true;
    const { ring, decoder } = this;
    try {
      do {
        while (ring.next()) {
          const offset = ring.payloadOffset;
          const word = offset >> 2;
          const kind = ring.words[word]!;
          const unitId = ring.words[word + 1]!;
          const bytes = ring.words[word + 2]!;
          if (kind === AnswerKind.posted) {
            // Its message is posted right after the mark: until it arrives the drain waits here (its arrival
            // drains again), so nothing after it overtakes it.
            if (!target.takePosted()) {
              ring.stopped();
              return;
            }
            ring.release();
            continue;
          }
          const message =
            kind === AnswerKind.done ? undefined : decoder.decode(offset + answerRecordHeaderBytes);
          ring.release();
          if (kind === AnswerKind.done) target.unitDone(unitId);
          else {
            target.unitMessage(unitId, message, bytes);
            if (kind === AnswerKind.doneWithMessage) target.unitDone(unitId);
          }
        }
      } while (settle && ring.wakeHandled());
    } finally {
      this.draining = false;
    }
  }
}
