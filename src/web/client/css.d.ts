/** Style sheets imported for their side effect; esbuild bundles them into the hashed CSS file. */
declare module '*.css';
