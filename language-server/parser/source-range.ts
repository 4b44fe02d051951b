import type { Position, Range } from "./ast";

/**
 * The `range` of every node: four small integers instead of a Range holding two Position
 * objects. A 10k-line config has some 50k ranges; storing them flat saves two objects per
 * range, which is memory and, above all, garbage-collection time when a tree is built.
 *
 * `start` and `end` are computed on each read (a new Position every time, so changing one
 * changes nothing). JSON gives the plain LSP shape. The parser shifts `startLine`/`endLine`
 * in place when an edit moves the statement, so a range object stays the node's range.
 */
export class SourceRange implements Range {
  // `declare`: assigned in the constructor only. A class field would first be defined as
  // undefined by an initializer call, for each of the tens of thousands of ranges.
  declare startLine: number;
  declare startCharacter: number;
  declare endLine: number;
  declare endCharacter: number;

  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.startLine = startLine;
    this.startCharacter = startCharacter;
    this.endLine = endLine;
    this.endCharacter = endCharacter;
  }

  get start(): Position {
    return { line: this.startLine, character: this.startCharacter };
  }
  get end(): Position {
    return { line: this.endLine, character: this.endCharacter };
  }

  toJSON(): Range {
    return { start: this.start, end: this.end };
  }
}
