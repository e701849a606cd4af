/**
 * The few web-platform globals every place the domain runs provides (browsers and Node
 * alike), declared here because domain/tsconfig.json allows no DOM or Node types. Only
 * the members the domain uses.
 */
declare class URL {
  constructor(url: string, base?: string);
  username: string;
  password: string;
  toString(): string;
}

declare class TextEncoder {
  encode(input: string): Uint8Array;
}
