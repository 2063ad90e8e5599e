/** Types of bin/node-floor.js (plain JavaScript, so that an old Node can run it). */
export declare const NODE_FLOOR: string;
export declare const NODE_ENGINES: string;
export declare function nodeSupported(version: string): boolean;
