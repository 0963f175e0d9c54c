/** English strings shared by the console's views (merged into en.ts as `console`). */
export const consoleEn = {
  couponOff: '{{offer}} off',
  couponStatus: { issued: 'not used yet', redeemed: 'redeemed', void: 'void' },
  expires: 'expires {{when}}',
  showTable: 'Show the numbers',
  hideTable: 'Hide the numbers',
  noData: 'No data yet.',
};
