/**
 * The person named in a contact as the engineer typed it ("Megan Bowen, megan@contoso.com,
 * +1 555 0100"): the name before any address or number, for greeting them by name.
 */

/** Longest name taken from a contact. */
const MAX_NAME = 60;

/** The contact's name, or undefined when it gives none (only an address or a number). */
export function contactName(contact: string | undefined): string | undefined {
  if (!contact) return undefined;
  const first = (contact.split(/[,;(<\n|/]|\s[-–]\s/)[0] ?? '').replace(/\s+/g, ' ').trim();
  if (first === '' || first.length > MAX_NAME || /[@\d]/.test(first)) return undefined;
  return first;
}

/** The given name a greeting uses in English ("Megan" of "Megan Bowen"). */
export function givenName(name: string): string {
  return name.split(' ')[0] ?? name;
}
