import { useEffect, useState } from 'react';
import { setUnauthorizedHandler } from '../client/http.ts';
import { clearApiKey, loadApiKey, saveApiKey } from '../client/session.ts';
import { JourneyEditor } from '../canvas/JourneyEditor.tsx';
import { Gallery } from '../journeys/Gallery.tsx';
import { JourneyList } from '../journeys/JourneyList.tsx';
import { LoginScreen } from './LoginScreen.tsx';
import { ComingSoon } from './ComingSoon.tsx';
import { TopNav } from './TopNav.tsx';
import { sectionOf, useRoute } from './route.ts';
import type { Route } from './route.ts';

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'journeys':
      return <JourneyList />;
    case 'gallery':
      return <Gallery />;
    case 'journey':
      return <JourneyEditor key={route.journeyId} journeyId={route.journeyId} />;
    case 'campaigns':
    case 'tasks':
    case 'customers':
    case 'dashboards':
      return <ComingSoon section={route.screen} />;
  }
}

/** The app shell: the API key screen until a key is known, then the top navigation and a screen. */
export function App() {
  const [apiKey, setApiKey] = useState(loadApiKey);
  const route = useRoute();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      clearApiKey();
      setApiKey(null);
    });
  }, []);
  if (!apiKey) {
    return (
      <LoginScreen
        onSignIn={(key) => {
          saveApiKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <div className="app">
      <TopNav
        section={sectionOf(route)}
        onSignOut={() => {
          clearApiKey();
          setApiKey(null);
        }}
      />
      <main className="app-main">
        <Screen route={route} />
      </main>
    </div>
  );
}
