/**
 * The bot's text commands: one table of names and aliases, parsed from a message with any
 * @mention of the bot removed. Unknown text is not a command (the router answers with help).
 */

/** Every command the bot understands, with its aliases. */
export const COMMANDS = {
  help: ['help', 'hi', 'hello', 'hey', 'start', '?', '도움말', '안녕'],
  escalate: ['escalate', 'report'],
  resume: ['resume'],
  status: ['status'],
  list: ['list'],
  health: ['health'],
  access: ['access'],
  cancel: ['cancel', 'stop', 'quit'],
  incidents: ['incidents'],
  incident: ['incident'],
} as const;

export type CommandName = keyof typeof COMMANDS;

/** A parsed command: its name and the rest of the line. */
export interface ParsedCommand {
  readonly name: CommandName;
  readonly args: string;
}

/** Longest text we try to read as a command; anything longer is a description, not a command. */
const MAX_COMMAND_TEXT = 500;

/** Removes `<at>…</at>` mention markup and collapses white space. */
export function stripMentionMarkup(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Reads a command from message text (mentions already removed or still in markup). */
export function parseCommand(text: string | undefined): ParsedCommand | undefined {
  if (typeof text !== 'string' || text.length > MAX_COMMAND_TEXT) return undefined;
  const clean = stripMentionMarkup(text);
  const [first = '', ...rest] = clean.split(' ');
  const word = first.replace(/^\//, '').toLowerCase();
  for (const [name, aliases] of Object.entries(COMMANDS) as [CommandName, readonly string[]][]) {
    if (aliases.includes(word)) return { name, args: rest.join(' ').trim() };
  }
  return undefined;
}
