import { styleText } from 'node:util';
import YAML from 'yaml';
import type { Io } from './io.js';

export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];
export type Style = Parameters<typeof styleText>[0];

/**
 * Where each kind of output goes. In `table` format the text is the output
 * (stdout); in `json` and `yaml` stdout holds only the data, and the messages
 * meant for a person go to stderr.
 */
export class Output {
  constructor(
    readonly format: Format,
    private readonly io: Io,
  ) {}

  get interactive(): boolean {
    return this.io.interactive;
  }

  /** The command's result: a JSON or YAML document, or the text for a person. */
  result(value: unknown, text: () => string): void {
    if (this.format === 'json') this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else if (this.format === 'yaml') this.io.stdout.write(YAML.stringify(value));
    else this.write(text());
  }

  /** One item of a stream (a watch, a follow): a JSON line, a YAML document, or a line of text. */
  item(value: unknown, text: () => string): void {
    if (this.format === 'json') this.io.stdout.write(`${JSON.stringify(value)}\n`);
    else if (this.format === 'yaml') this.io.stdout.write(`---\n${YAML.stringify(value)}`);
    else this.write(text());
  }

  /** A message for a person: part of the text output, or on stderr beside the data. */
  say(text: string): void {
    (this.format === 'table' ? this.io.stdout : this.io.stderr).write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** An error: on stderr for a person, and as `{error}` on stdout in json and yaml, for a script. */
  error(error: { message: string; remedy?: string; code?: string; status?: number }): void {
    this.io.stderr.write(`${this.paint('red', 'error:')} ${error.message}\n${error.remedy ? `${this.paint('dim', 'remedy:')} ${error.remedy}\n` : ''}`);
    if (this.format !== 'table') this.result({ error }, () => '');
  }

  /** Colour only for a person at a terminal (and not with NO_COLOR). */
  paint(style: Style, text: string): string {
    return this.io.interactive && !this.io.env.NO_COLOR ? styleText(style, text, { validateStream: false }) : text;
  }

  private write(text: string): void {
    if (text) this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}
