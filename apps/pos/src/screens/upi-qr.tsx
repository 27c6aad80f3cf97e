/**
 * A UPI payment QR for the exact bill amount: `upi://pay` with the shop's VPA, the amount and a
 * transaction reference that is also stored on the sale's payment, so the bank statement and
 * the invoice can be matched.
 */
import qrcode from 'qrcode-generator';

/** The UPI deep link for a payment. */
export function upiLink(input: {
  vpa: string;
  payee: string;
  amountPaise: number;
  ref: string;
}): string {
  const params = new URLSearchParams({
    pa: input.vpa,
    pn: input.payee,
    am: (input.amountPaise / 100).toFixed(2),
    cu: 'INR',
    tr: input.ref,
    tn: `Bill ${input.ref}`,
  });
  return `upi://pay?${params.toString()}`;
}

export function UpiQr({ link, size = 200 }: { link: string; size?: number }) {
  const qr = qrcode(0, 'M');
  qr.addData(link);
  qr.make();
  const n = qr.getModuleCount();
  let path = '';
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) if (qr.isDark(r, c)) path += `M${c + 4} ${r + 4}h1v1h-1z`;
  return (
    <svg
      class="upi-qr"
      viewBox={`0 0 ${n + 8} ${n + 8}`}
      width={size}
      height={size}
      role="img"
      aria-label="UPI QR code"
      data-testid="upi-qr"
      data-link={link}
    >
      <rect width="100%" height="100%" fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
