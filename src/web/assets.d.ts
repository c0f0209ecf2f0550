// Vite asset imports used by the browser bundle: `x?url` is the emitted file's URL.
declare module '*?url' {
  const url: string;
  export default url;
}
