// The scan page: live camera scanning (the browser's BarcodeDetector, else the vendored
// barcode-detector polyfill with its WebAssembly served by refurb), a beep and a flash
// for each scan, and the scanner field cleared for the next one.
(function () {
  "use strict";
  var box = document.getElementById("camera");
  if (!box) return;
  var stateLine = document.getElementById("camera-state");
  var startButton = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  var code = document.getElementById("scan-code");
  var csrf = document.getElementById("scan-csrf").value;
  var audio = null;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.08;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.08 : 0.25));
    } catch (e) { /* no sound: the flash still shows */ }
  }

  function flash(kind) {
    var cls = kind === "ok" ? "scan-flash-ok" : "scan-flash-warn";
    document.body.classList.remove("scan-flash-ok", "scan-flash-warn");
    void document.body.offsetWidth;
    document.body.classList.add(cls);
    window.setTimeout(function () { document.body.classList.remove(cls); }, 400);
  }

  document.body.addEventListener("htmx:afterSwap", function () {
    var message = document.getElementById("scan-message");
    if (!message || message.dataset.kind === "none") return;
    beep(message.dataset.kind === "ok");
    flash(message.dataset.kind);
  });
  var form = document.getElementById("scan-add");
  if (form) {
    form.addEventListener("htmx:afterRequest", function () {
      code.value = "";
      code.focus();
    });
  }

  // a photo taken is sent at once (the Send button stays for pages without script)
  var photoForm = document.getElementById("scan-photo");
  if (photoForm) {
    photoForm.querySelector("input[type=file]").addEventListener("change", function (e) {
      if (e.target.files && e.target.files.length) window.htmx.trigger(photoForm, "submit");
    });
    photoForm.addEventListener("htmx:afterRequest", function () { photoForm.reset(); });
  }

  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    document.getElementById("camera-insecure").hidden = false;
    startButton.hidden = true;
    return;
  }
  startButton.hidden = false;

  function detector() {
    var wanted = { formats: ["qr_code"] };
    var native = window.BarcodeDetector && window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats() : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) return new window.BarcodeDetector(wanted);
      var api = window.BarcodeDetectionAPI;
      var base = new URL(box.dataset.wasm, window.location.href).href;
      api.prepareZXingModule({
        overrides: {
          locateFile: function (path, prefix) {
            return path.endsWith(".wasm") ? base + path : prefix + path;
          }
        },
        fireImmediately: true
      });
      return new api.BarcodeDetector(wanted);
    });
  }

  var lastSeen = new Map();  // a label held in view is sent once, not on every frame

  function send(value) {
    // the participant field in focus (issue): the code scanned is the participant's
    var participant = document.querySelector("#scan-act input[name=participant]");
    if (participant && document.activeElement === participant) {
      participant.value = value;
      beep(true);
      flash("ok");
      return;
    }
    window.htmx.ajax("POST", "/scan/add", {
      target: "#scan-list", swap: "outerHTML", values: { code: value, csrf: csrf }
    });
  }

  startButton.addEventListener("click", function () {
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        return video.play();
      })
      .then(detector)
      .then(function (det) {
        stateLine.textContent = box.dataset.scanning;
        box.dataset.running = "yes";
        var tick = function () {
          det.detect(video).then(function (codes) {
            var now = Date.now();
            codes.forEach(function (c) {
              var value = c.rawValue;
              if (!value) return;
              var before = lastSeen.get(value);
              lastSeen.set(value, now);
              if (before === undefined || now - before > 5000) send(value);
            });
          }).catch(function () { /* a frame not ready yet */ })
            .then(function () { window.setTimeout(tick, 150); });
        };
        tick();
      })
      .catch(function (err) {
        startButton.disabled = false;
        stateLine.textContent = box.dataset.failed + " (" + (err && err.name || err) + ")";
        document.getElementById("camera-insecure").hidden = false;
      });
  });
})();
