/**
 * What one answer-ring record says. Its payload starts with three 32-bit words — kind, unit id, the bytes its
 * message counts against the credit window — and, for a message, the encoded message after them.
 */
export const AnswerKind = {
  /** A unit's message. */
  message: 1,
  /** A unit's end. */
  done: 2,
  /** A unit's last message and its end, in one record. */
  doneWithMessage: 3,
  /**
   * The unit's next message, end or failure was posted (it could not be encoded, or was too large): the reader
   * takes it from the port here, so it keeps its place among the records.
   */
  posted: 4,
} as const;

/** Bytes before a record's encoded message. */
export const answerRecordHeaderBytes = 12;
