/** The ledger counts money in whole nano-dollars; the conversions live with the rest of money in `src/money/`. */
export { ledgerAmountNano, nanoToUsd, usdToNano } from "../money/nano.js";
