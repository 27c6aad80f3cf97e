/** Entry: render the app and register the service worker (the app shell works offline after the first visit). */
import { render } from 'preact';
import { App } from './app.tsx';
import { registerUpdates } from './update.ts';
import './styles.css';

render(<App />, document.getElementById('app') as HTMLElement);
registerUpdates();
