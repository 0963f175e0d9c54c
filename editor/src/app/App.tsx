import { useEffect, useState } from 'react';
import { setUnauthorizedHandler } from '../client/http.ts';
import { clearApiKey, loadApiKey, saveApiKey } from '../client/session.ts';
import { JourneyEditor } from '../canvas/JourneyEditor.tsx';
import { Gallery } from '../journeys/Gallery.tsx';
import { JourneyList } from '../journeys/JourneyList.tsx';
import { LoginScreen } from './LoginScreen.tsx';
import { CampaignsPage } from '../console/campaigns/CampaignsPage.tsx';
import { CustomerPage } from '../console/customers/CustomerPage.tsx';
import { CustomerSearch } from '../console/customers/CustomerSearch.tsx';
import { DashboardsPage } from '../console/dashboards/DashboardsPage.tsx';
import { TaskInbox } from '../console/tasks/TaskInbox.tsx';
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
      return <CampaignsPage />;
    case 'tasks':
      return <TaskInbox />;
    case 'customers':
      return <CustomerSearch />;
    case 'customer':
      return <CustomerPage key={route.customerId} customerId={route.customerId} />;
    case 'dashboards':
      return <DashboardsPage />;
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
