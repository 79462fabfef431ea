/**
 * The worker's side of its answers: each unit's messages and end go into the answer ring, so that the main thread
 * takes a batch of them per wake-up instead of one `postMessage` each. What the ring cannot carry — a message that
 * is not encodable or too large, a failure — is posted as before, and a `posted` record holds its place.
 */
import type { MessagePort } from 'node:worker_threads';
import { AnswerEncoder, measureSlack, measureValue } from './answer-codec.js';
import { AnswerKind, answerRecordHeaderBytes } from './answer-record.js';
import { AnswerRingWriter } from './answer-ring.js';
import { outgoingFound, prepareOutgoing } from './outgoing-message.js';
import { ToMain } from './thread-protocol.js';

/** The one message a wake-up is: the ring says the rest. */
const wakeMessage = [ToMain.drain];

/**
 * Messages with this many bytes of chunks or more are posted, their chunks transferred: measured on the
 * benchmark's `stream` (a 99 KiB batch per response), copying them through the ring cost 25 % of the throughput —
 * a copy in, a copy out and a fresh buffer on the main thread, where a transfer moves one buffer as it is.
 */
const ringChunkBytes = 16 * 1024;

export class AnswerSender {
  private readonly ring: AnswerRingWriter | undefined;
  private readonly encoder: AnswerEncoder | undefined;

  constructor(
    ring: SharedArrayBuffer | undefined,
    private readonly port: MessagePort,
  ) {
    if (ring === undefined) return;
    this.ring = new AnswerRingWriter(ring, () => port.postMessage(wakeMessage));
    this.encoder = new AnswerEncoder(this.ring.bytes);
  }

  /** A unit's message (`end`: and its end), counting `bytes` against the window; `transfer` as `send()` got it. */
  message(
    unitId: number,
    message: unknown,
    bytes: number,
    transfer: readonly ArrayBuffer[] | undefined,
    end = false,
  ): void {
    const kind = end ? AnswerKind.doneWithMessage : AnswerKind.message;
    if (this.ring !== undefined && this.write(kind, unitId, message, bytes)) return;
    let prepared = message;
    let transferList = transfer as ArrayBuffer[] | undefined;
    if (transfer === undefined || transfer.length === 0) {
      prepared = prepareOutgoing(message);
      transferList = outgoingFound.transfer;
    }
    this.post([end ? ToMain.done : ToMain.message, unitId, prepared, bytes], transferList);
  }

  /** A unit's end, without a message. */
  done(unitId: number): void {
    if (this.ring !== undefined) this.write(AnswerKind.done, unitId, undefined, 0);
    else this.port.postMessage([ToMain.done, unitId]);
  }

  /** A unit's failure: rare, and an error's extras may need a structured clone. */
  failed(unitId: number, error: unknown): void {
    this.post([ToMain.failed, unitId, error]);
  }

  /**
   * With a ring, marks the place first, then posts: the post itself wakes the main thread, whose drain stops at
   * the mark until the message is there (a wake-up of the ring's own would be a second message).
   */
  private post(message: unknown[], transfer?: ArrayBuffer[]): void {
    if (this.ring === undefined) {
      this.port.postMessage(message, transfer);
      return;
    }
    this.write(AnswerKind.posted, message[1] as number, undefined, 0);
    try {
      this.port.postMessage(message, transfer);
    } catch (error) {
      // It could not be cloned: the mark is published, so something must fill its place.
      this.port.postMessage([ToMain.unsent, message[1]]);
      throw error;
    }
  }

  /** Writes one record; false when the message must be posted instead. */
  private write(kind: number, unitId: number, message: unknown, bytes: number): boolean {
    const ring = this.ring!;
    const hasMessage = kind === AnswerKind.message || kind === AnswerKind.doneWithMessage;
    let size = answerRecordHeaderBytes;
    // A large chunk is cheaper transferred than copied in and out again (see `ringChunkBytes`).
    if (bytes >= ringChunkBytes) return false;
    if (hasMessage) {
      const measured = measureValue(message);
      if (measured < 0 || measured + size + measureSlack > ring.maxPayload) return false;
      size += measured + measureSlack;
    }
    const offset = ring.reserve(size);
    const { words } = ring;
    const word = offset >> 2;
    words[word] = kind;
    words[word + 1] = unitId;
    words[word + 2] = bytes;
    let end = offset + answerRecordHeaderBytes;
    if (hasMessage) {
      const encoder = this.encoder!;
      encoder.mark();
      end = encoder.encode(message, end, offset + size);
      if (end < 0) {
        // Changed under us (a getter): nothing was published, and the strings it numbered are forgotten.
        encoder.rollBack();
        return false;
      }
    }
    ring.commit(end - offset, kind !== AnswerKind.posted);
    return true;
  }
}
