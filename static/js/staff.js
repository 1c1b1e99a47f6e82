// Staff pages (console, projector): the stored login, or a trip to the login page.
import { store } from "./api.js";

export function staffToken(root) {
  const staff = store.get("staff");
  if (!staff || !staff.token) {
    location.assign(root.dataset.loginUrl);
    return null;
  }
  return staff;
}

export function forgetStaff(root) {
  store.remove("staff");
  location.assign(root.dataset.loginUrl);
}
