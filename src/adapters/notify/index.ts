export { createRunNotifier, sendAll, type RunNotifierOptions } from './send.js';
export { parseReceiver, formatReceiver, describeReceiver, redactUrl } from './receiver.js';
export { sendWebhook, type WebhookOptions } from './webhook.js';
export { sendExec, DEFAULT_HOOK_PATH, type ExecOptions } from './exec.js';
export { sendJournal, JOURNAL_PAYLOAD_KEY } from './journal.js';
