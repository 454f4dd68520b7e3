// jsdom's own WebSocket (undici's) dispatches events jsdom cannot accept in
// this realm; the `ws` package is the same browser API without that clash.
import { WebSocket } from 'ws';
import { EventSource } from 'eventsource';

globalThis.WebSocket = WebSocket;
globalThis.EventSource = EventSource;
