import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiContext, clientFor, type Api } from './api.js';
import { LoginNeeded, forgetToken, loadConfig, rememberToken, startSession, takeTokenFromLocation, type Session } from './auth.js';
import { href, useRoute } from './router.js';
import { ClustersView } from './views/clusters.js';
import { ClusterView } from './views/cluster.js';
import { UpgradeView } from './views/upgrade.js';
import './styles.css';

type State = { kind: 'loading' } | { kind: 'login'; message?: string } | { kind: 'failed'; message: string } | { kind: 'ready'; session: Session };

function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const signIn = async () => {
    try {
      setState({ kind: 'ready', session: await startSession(await loadConfig()) });
    } catch (err) {
      if (err instanceof LoginNeeded) setState({ kind: 'login', message: err.message || undefined });
      else setState({ kind: 'failed', message: (err as Error).message });
    }
  };
  useEffect(() => {
    takeTokenFromLocation();
    void signIn();
  }, []);
  if (state.kind === 'loading') return <p>Signing in…</p>;
  if (state.kind === 'failed')
    return (
      <main>
        <h1>kupgrade</h1>
        <p role="alert" class="error">
          The console could not start: {state.message}
        </p>
      </main>
    );
  if (state.kind === 'login')
    return (
      <Login
        message={state.message}
        onToken={(t) => {
          rememberToken(t);
          void signIn();
        }}
      />
    );
  return (
    <Signed
      session={state.session}
      onLogout={() => {
        state.session.logout();
        setState({ kind: 'login' });
      }}
    />
  );
}

function Login(props: { message?: string; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <main class="login">
      <h1>kupgrade</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) props.onToken(token);
        }}
      >
        <p>Open the link npm start printed, or paste its token.</p>
        {props.message && (
          <p role="alert" class="error">
            {props.message}
          </p>
        )}
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
    </main>
  );
}

function Signed(props: { session: Session; onLogout: () => void }) {
  const route = useRoute();
  const [readOnly, setReadOnly] = useState(props.session.access === 'read');
  const api: Api = useMemo(
    () => ({ session: props.session, client: clientFor(props.session), readOnly, markReadOnly: () => setReadOnly(true) }),
    [props.session, readOnly],
  );
  return (
    <ApiContext.Provider value={api}>
      <header>
        <nav aria-label="main">
          <a href={href.clusters()} class="brand">
            kupgrade
          </a>
          <a href={href.clusters()}>Clusters</a>
        </nav>
        <p class="who">
          Signed in as <strong>{props.session.who}</strong>
          {readOnly && <span class="badge"> read-only</span>}
          <button
            type="button"
            onClick={() => {
              forgetToken();
              props.onLogout();
            }}
          >
            Log out
          </button>
        </p>
      </header>
      <main>
        {route.view === 'clusters' && <ClustersView />}
        {route.view === 'cluster' && <ClusterView key={route.clusterId} clusterId={route.clusterId} />}
        {route.view === 'upgrade' && <UpgradeView key={route.upgradeId} clusterId={route.clusterId} upgradeId={route.upgradeId} />}
      </main>
    </ApiContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
