import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

// The scaffold copies the app's own logos and screenshots only; nested plugins (datasource/, panel/)
// reference img/ paths relative to their own folder, so every src/**/img/* is copied keeping its path.
const config = async (env: Env): Promise<Configuration> =>
  merge(await grafanaConfig(env), {
    plugins: [new CopyWebpackPlugin({ patterns: [{ from: '**/img/*', to: '[path][name][ext]' }] })],
  });

export default config;
