// Vue 3 built by Vite with @vitejs/plugin-vue and no other configuration.
import { createApp } from 'vue';
import { load } from 'footfall-analytics';
import App from './App.vue';

createApp(App).mount('#app');

// For the test: the app's client (the same endpoint gives the same client), once mounted.
window.footfallTest = load({ endpoint: '/collect' });
