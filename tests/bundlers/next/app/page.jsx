// A server component rendering the client components (both prerendered).
import { QuoteButton } from './QuoteButton.jsx';
import Ready from './Ready.jsx';

export default function Page() {
  return (
    <main>
      <QuoteButton />
      <Ready />
    </main>
  );
}
