/** Python sources bundled as text (tsup's `.py` loader). */
declare module '*.py' {
  const source: string;
  export default source;
}
