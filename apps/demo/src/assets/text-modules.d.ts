// tsup bundles a stylesheet as its text (`loader: { '.css': 'text' }` in tsup.config.ts).
declare module '*.css' {
  const text: string;
  export default text;
}
