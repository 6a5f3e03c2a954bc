export { KeyDecoder, MenuKey } from './keys.ts';
export type { MenuInput, MenuOutcome, MenuOutput, RunMenuOptions } from './menu.ts';
export { runMenu, screenRows, TERMINAL } from './menu.ts';
export type { InfoRow, MenuRow, MenuState, UpdateRow } from './menu-model.ts';
export {
  cursorDown,
  cursorUp,
  MENU_FOOTER,
  MENU_GLYPHS,
  MENU_HEADING,
  menuRows,
  menuState,
  moveCursor,
  render,
  selectableCount,
  selectedContainerSpecs,
  toggle,
  updateText,
} from './menu-model.ts';
