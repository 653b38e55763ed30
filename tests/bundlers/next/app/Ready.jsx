'use client';
// For the test: the page's client (the same endpoint gives the same client), once hydrated.
import { useEffect } from 'react';
import { load } from 'footfall-analytics';

export default function Ready() {
  useEffect(() => {
    window.footfallTest = load({ endpoint: '/collect' });
  }, []);
  return null;
}
