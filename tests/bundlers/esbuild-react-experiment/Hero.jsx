// Hero.jsx: both variants rendered; footfall shows the visitor's
export function Hero() {
  return (
    <>
      <h1 data-ff-experiment="hero_copy" data-ff-variant="control">Phone repair while you wait</h1>
      <h1 data-ff-experiment="hero_copy" data-ff-variant="urgent">Fixed today, or it's free</h1>
    </>
  );
}
