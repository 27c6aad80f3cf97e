/**
 * Camera barcode scanning where the browser has the BarcodeDetector API (Chrome on Android).
 * A keyboard-wedge scanner needs nothing: it types the code into the search box and presses Enter.
 */
import { useEffect, useRef } from 'preact/hooks';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (opts: { formats: string[] }) => Detector;

/** Whether this browser can scan with the camera. */
export function cameraScanSupported(): boolean {
  return 'BarcodeDetector' in globalThis && 'mediaDevices' in navigator;
}

export function CameraScanner({
  onCode,
  onClose,
}: {
  onCode: (code: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const start = async (): Promise<void> => {
      const Detector = (globalThis as unknown as { BarcodeDetector: DetectorClass })
        .BarcodeDetector;
      const detector = new Detector({
        formats: ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'qr_code'],
      });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      const el = video.current;
      if (!el || stopped) return;
      el.srcObject = stream;
      await el.play();
      timer = setInterval(() => {
        void detector.detect(el).then((codes) => {
          const code = codes[0]?.rawValue;
          if (code) onCode(code);
        });
      }, 300);
    };
    start().catch(() => onClose());
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [onCode, onClose]);
  return (
    <div class="scanner">
      <video ref={video} muted playsInline />
      <button class="link" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}
