/** English and Hindi strings for the counter; switchable at runtime, remembered per device. */
import { signal } from './signal.ts';

export type Lang = 'en' | 'hi';

const STRINGS = {
  appName: { en: 'SmartKirana', hi: 'स्मार्टकिराना' },
  setupTitle: { en: 'Set up this till', hi: 'इस काउंटर को सेट करें' },
  ownerPhone: { en: 'Owner phone', hi: 'मालिक का फ़ोन' },
  password: { en: 'Password', hi: 'पासवर्ड' },
  tillName: { en: 'Till name', hi: 'काउंटर का नाम' },
  yourPin: { en: 'Your PIN for this till (4–6 digits)', hi: 'इस काउंटर के लिए आपका पिन (4–6 अंक)' },
  enroll: { en: 'Enroll this till', hi: 'काउंटर जोड़ें' },
  signIn: { en: 'Sign in', hi: 'साइन इन' },
  signOut: { en: 'Sign out', hi: 'साइन आउट' },
  enterPin: { en: 'Enter PIN', hi: 'पिन डालें' },
  wrongPin: { en: 'Wrong PIN', hi: 'गलत पिन' },
  search: { en: 'Search name, SKU or scan barcode', hi: 'नाम, SKU खोजें या बारकोड स्कैन करें' },
  cart: { en: 'Bill', hi: 'बिल' },
  empty: { en: 'No items yet', hi: 'अभी कोई सामान नहीं' },
  subtotal: { en: 'Subtotal', hi: 'उप-योग' },
  gst: { en: 'GST', hi: 'जीएसटी' },
  roundOff: { en: 'Round off', hi: 'राउंड ऑफ़' },
  total: { en: 'Total', hi: 'कुल' },
  cash: { en: 'Cash', hi: 'नकद' },
  upi: { en: 'UPI', hi: 'यूपीआई' },
  card: { en: 'Card', hi: 'कार्ड' },
  khata: { en: 'Khata', hi: 'खाता' },
  customer: { en: 'Customer', hi: 'ग्राहक' },
  chooseCustomer: { en: 'Choose a customer for khata', hi: 'खाते के लिए ग्राहक चुनें' },
  tendered: { en: 'Cash received', hi: 'प्राप्त नकद' },
  change: { en: 'Change', hi: 'वापसी' },
  complete: { en: 'Complete sale', hi: 'बिक्री पूरी करें' },
  newSale: { en: 'New sale', hi: 'नई बिक्री' },
  print58: { en: 'Print 58 mm', hi: 'प्रिंट 58 mm' },
  print80: { en: 'Print 80 mm', hi: 'प्रिंट 80 mm' },
  printA4: { en: 'A4 tax invoice', hi: 'A4 टैक्स इनवॉइस' },
  share: { en: 'Share as text', hi: 'टेक्स्ट में भेजें' },
  invoice: { en: 'Invoice', hi: 'इनवॉइस' },
  online: { en: 'Online', hi: 'ऑनलाइन' },
  offline: { en: 'Offline', hi: 'ऑफ़लाइन' },
  syncing: { en: 'Syncing', hi: 'सिंक हो रहा है' },
  unsynced: { en: 'unsynced', hi: 'सिंक बाकी' },
  exportUnsynced: { en: 'Export unsynced', hi: 'बाकी बिक्री निर्यात करें' },
  storageWarning: {
    en: 'Storage is not persistent: export unsynced sales regularly',
    hi: 'स्टोरेज स्थायी नहीं है: बाकी बिक्री नियमित रूप से निर्यात करें',
  },
  stock: { en: 'Stock', hi: 'स्टॉक' },
  qty: { en: 'Qty', hi: 'मात्रा' },
  remove: { en: 'Remove', hi: 'हटाएँ' },
  saleDone: { en: 'Sale saved', hi: 'बिक्री सहेजी गई' },
  navCounter: { en: 'Counter', hi: 'काउंटर' },
  splitPayment: { en: 'Split payment', hi: 'भुगतान बाँटें' },
  addPart: { en: 'Add part', hi: 'हिस्सा जोड़ें' },
  partsTooLarge: { en: 'Part payments exceed the total', hi: 'हिस्से कुल से ज़्यादा हैं' },
  billDiscount: { en: 'Bill discount (₹)', hi: 'बिल छूट (₹)' },
  managerPin: { en: 'Manager PIN (needed above 5%)', hi: 'मैनेजर पिन (5% से ज़्यादा पर ज़रूरी)' },
  needsApproval: { en: 'A manager must approve this', hi: 'मैनेजर की मंज़ूरी चाहिए' },
  park: { en: 'Park bill', hi: 'बिल रोकें' },
  recall: { en: 'Recall', hi: 'वापस लाएँ' },
  parked: { en: 'Parked bills', hi: 'रुके हुए बिल' },
  returnsVoids: { en: 'Returns / void', hi: 'वापसी / रद्द' },
  noSuchInvoice: { en: 'No bill with that number', hi: 'इस नंबर का कोई बिल नहीं' },
  nothingToReturn: { en: 'Enter a quantity to return', hi: 'वापसी की मात्रा डालें' },
  creditNoteIssued: { en: 'Credit note issued', hi: 'क्रेडिट नोट जारी' },
  billVoided: { en: 'Bill voided', hi: 'बिल रद्द' },
  voided: { en: 'voided', hi: 'रद्द' },
  left: { en: 'left', hi: 'बाकी' },
  backOnShelf: { en: 'Back on the shelf', hi: 'वापस शेल्फ़ पर' },
  issueCreditNote: { en: 'Issue credit note', hi: 'क्रेडिट नोट जारी करें' },
  voidReason: { en: 'Reason for void', hi: 'रद्द करने का कारण' },
  managerPinShort: { en: 'Manager PIN', hi: 'मैनेजर पिन' },
  voidBill: { en: 'Void bill', hi: 'बिल रद्द करें' },
  backToCounter: { en: 'Back to the counter', hi: 'काउंटर पर वापस' },
  navStock: { en: 'Stock room', hi: 'स्टॉक रूम' },
  navKhata: { en: 'Khata', hi: 'खाता' },
  navOwner: { en: 'Owner', hi: 'मालिक' },
} as const;

export type StringKey = keyof typeof STRINGS;

export const lang = signal<Lang>((localStorage.getItem('smartkirana.lang') as Lang | null) ?? 'en');

/** The string for a key in the current language. */
export function t(key: StringKey): string {
  return STRINGS[key][lang.value];
}

/** Switch language and remember it on this device. */
export function setLang(next: Lang): void {
  lang.value = next;
  localStorage.setItem('smartkirana.lang', next);
  document.documentElement.lang = next;
}
