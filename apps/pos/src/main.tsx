/** Entry: render the app and register the service worker (the app shell works offline after the first visit). */
import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { App } from './app.tsx';
import './styles.css';

render(<App />, document.getElementById('app') as HTMLElement);

// Updates wait until the counter is idle: a new version never interrupts a sale or unsynced work,
// because events live in IndexedDB, not in the page.
registerSW({ immediate: true, onNeedRefresh: () => document.body.classList.add('update-ready') });
