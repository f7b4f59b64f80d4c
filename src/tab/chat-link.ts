/**
 * "Open in chat" in the tab: a Teams deep link to where the escalation's conversation with the
 * bot runs. A channel thread links to its root message, a channel to the channel, a group
 * chat to the chat, and a personal chat (or a conversation the desk did not record) to the
 * one-to-one chat with the bot (`28:<bot app id>`). Without a bot app id (local mode) there is no Teams client to open
 * a link, so there is none rather than a broken one.
 */
import type { CloudName } from '../config/clouds';
import { detailsOf } from '../domain/details';
import type { Escalation } from '../domain/escalation';
import { TEAMS_HOSTS } from '../incidents/tab-link';

/** What a chat link needs: the bot's Microsoft app id and its cloud. */
export interface ChatLinkOptions {
  readonly botAppId: string;
  readonly cloud: CloudName;
}

/** The deep link to the escalation's conversation with the bot, or undefined in local mode. */
export function chatLinkOf(options: ChatLinkOptions | undefined, escalation: Pick<Escalation, 'details'>): string | undefined {
  if (!options?.botAppId) return undefined;
  const host = TEAMS_HOSTS[options.cloud];
  const conversationId = detailsOf(escalation).conversationId ?? '';
  const [channel, messageId] = conversationId.split(';messageid=');
  if (channel && messageId && channel.startsWith('19:')) {
    return `${host}/l/message/${encodeURIComponent(channel)}/${encodeURIComponent(messageId)}?parentMessageId=${encodeURIComponent(messageId)}`;
  }
  if (channel && channel.startsWith('19:')) {
    // A channel's root (the flow ran in the channel, not in a thread) or a group chat.
    const isChannel = /@thread\.(tacv2|skype)$/.test(channel);
    return isChannel ? `${host}/l/channel/${encodeURIComponent(channel)}/channel` : `${host}/l/chat/${encodeURIComponent(channel)}/conversations`;
  }
  return `${host}/l/chat/0/0?users=${encodeURIComponent(`28:${options.botAppId}`)}`;
}
