import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

/**
 * wouter's hash routing keeps a route's query before the '#' (/?ref=A.5.1#/graph). A link written the
 * way people write it (#/graph?ref=A.5.1: pasted, or a Link opened in a new tab) is moved there.
 */
function moveHashQuery() {
  const m = /^#(\/[^?]*)\?(.*)$/.exec(location.hash);
  if (m) history.replaceState(history.state, '', `${location.pathname}?${m[2]}#${m[1]}`);
}
moveHashQuery();
addEventListener('hashchange', moveHashQuery);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
