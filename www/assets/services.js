// The store's catalogue, shared by the pages and the dev server (which
// answers 404 for an unknown /services/<slug>).

/**
 * `tier`: the service tier, the `item_category` of the store's GA4
 * ecommerce pushes (the inspector's revenue by tier): 'essential' for checks,
 * 'standard' for part swaps, 'premium' for board-level and data work.
 * @typedef {'essential' | 'standard' | 'premium'} Tier
 * @typedef {{ slug: string, key: string, name: string, short: string, tier: Tier, price: number, from: boolean, duration: string, icon: string, blurb: string, includes: string[], models: [string, number][] }} Service
 */

/** @type {Service[]} */
export const SERVICES = [
  {
    slug: 'iphone-screen',
    key: 'iphone_screen',
    name: 'iPhone screen replacement',
    short: 'Screen',
    tier: 'standard',
    price: 129,
    from: true,
    duration: '45 min',
    icon: 'screen',
    blurb: 'Cracked glass, dead pixels or a touch screen that ignores you: a new display while you have a coffee.',
    includes: ['Original-grade OLED or LCD panel', 'True Tone calibration', 'Water-resistance seal renewed', '12-month warranty'],
    models: [['iPhone 11', 129], ['iPhone 12 / 12 Pro', 159], ['iPhone 13', 179], ['iPhone 14', 199], ['iPhone 15', 229]],
  },
  {
    slug: 'battery',
    key: 'battery',
    name: 'Battery replacement',
    short: 'Battery',
    tier: 'standard',
    price: 69,
    from: true,
    duration: '30 min',
    icon: 'battery',
    blurb: 'Phone dying by lunchtime? A fresh battery brings back a full day, and the health readout to prove it.',
    includes: ['New cell with 0 charge cycles', 'Battery health shown in Settings', 'Recycling of the old cell', '12-month warranty'],
    models: [['iPhone 11', 69], ['iPhone 12 / 12 Pro', 79], ['iPhone 13', 89], ['iPhone 14', 99], ['iPhone 15', 109]],
  },
  {
    slug: 'data-recovery',
    key: 'data_recovery',
    name: 'Data recovery',
    short: 'Data',
    tier: 'premium',
    price: 149,
    from: true,
    duration: '1 to 3 days',
    icon: 'data',
    blurb: 'Photos, chats and documents from phones that no longer start, water-damaged or dropped. No data, no fee.',
    includes: ['Free evaluation first', 'Board-level repair when needed', 'Encrypted copy handed to you', 'No data, no fee'],
    models: [['Phone, logical recovery', 149], ['Phone, board-level', 299], ['Laptop SSD', 249], ['External drive', 199]],
  },
  {
    slug: 'diagnostics',
    key: 'diagnostics',
    name: 'Device diagnostics',
    short: 'Diagnostics',
    tier: 'essential',
    price: 29,
    from: false,
    duration: '20 min',
    icon: 'diagnostics',
    blurb: 'Not sure what is wrong? A 40-point check with a written report, deducted from any repair you book.',
    includes: ['40-point hardware check', 'Written report by email', 'Price deducted from the repair', 'No obligation'],
    models: [['Any phone or tablet', 29], ['Any laptop', 39]],
  },
];

/** The service with this slug, or undefined. */
export const serviceBySlug = (slug) => SERVICES.find((s) => s.slug === slug);

/** The store's currency (ISO 4217), as its ecommerce pushes give it. */
export const CURRENCY = 'EUR';

/** Formats a price in euros, e.g. 129 -> "€129". */
export const euros = (n) => '€' + n;
