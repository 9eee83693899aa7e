/// <reference types="vite/client" />

interface ImportMetaEnv {
    /** Centrifugo's WebSocket endpoint, e.g. ws://127.0.0.1:8000/connection/websocket (public, not a secret). */
    readonly VITE_CENTRIFUGO_URL?: string;
}

interface ImportMeta {
    readonly env: ImportMetaEnv;
}
